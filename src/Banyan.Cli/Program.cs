using Banyan.Cli;

// Ctrl+C cancels the running command (a bulk write then reports what was acknowledged so far).
using CancellationTokenSource cancel = new();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

return await BanyanCli.RunAsync(args, CliConsole.System(), cancel.Token);
