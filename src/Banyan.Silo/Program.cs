using Banyan.Silo;

WebApplication app = SiloHost.Build(args);
await app.RunAsync();
