using System.Collections.Immutable;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Banyan.Storage.Tests.Architecture;

/// <summary>
/// Reads an assembly's metadata and IL (System.Reflection.Metadata, no reflection loading) and lists,
/// for every type defined in it, the other types of the same assembly it refers to: base type,
/// interfaces, field and method signatures, generic arguments, locals, and every type, method or field
/// token in method bodies. Compiler-generated types (closures, state machines) count for the type
/// they are nested in.
/// </summary>
internal sealed class TypeReferenceScanner
{
    private static readonly Dictionary<short, OperandType> s_operands = BuildOperandTable();

    private readonly PEReader _pe;
    private readonly MetadataReader _md;
    private readonly CollectingProvider _provider = new();

    public TypeReferenceScanner(PEReader pe)
    {
        _pe = pe;
        _md = pe.GetMetadataReader();
    }

    /// <summary>The namespace a type counts for: that of its outermost declaring type.</summary>
    public string OwnerNamespace(TypeDefinitionHandle handle)
    {
        TypeDefinition type = _md.GetTypeDefinition(handle);
        while (type.GetDeclaringType() is { IsNil: false } outer)
        {
            type = _md.GetTypeDefinition(outer);
        }

        return _md.GetString(type.Namespace);
    }

    /// <summary>A readable name for diagnostics.</summary>
    public string Name(TypeDefinitionHandle handle)
    {
        TypeDefinition type = _md.GetTypeDefinition(handle);
        string name = _md.GetString(type.Name);
        return type.GetDeclaringType() is { IsNil: false } outer ? Name(outer) + "+" + name : _md.GetString(type.Namespace) + "." + name;
    }

    /// <summary>Every type definition with the set of type definitions it refers to.</summary>
    public IEnumerable<(TypeDefinitionHandle Type, IReadOnlySet<TypeDefinitionHandle> References)> Scan()
    {
        foreach (TypeDefinitionHandle handle in _md.TypeDefinitions)
        {
            _provider.Found.Clear();
            TypeDefinition type = _md.GetTypeDefinition(handle);
            AddType(type.BaseType);
            foreach (InterfaceImplementationHandle i in type.GetInterfaceImplementations())
            {
                AddType(_md.GetInterfaceImplementation(i).Interface);
            }

            foreach (GenericParameterHandle g in type.GetGenericParameters())
            {
                AddConstraints(g);
            }

            foreach (FieldDefinitionHandle f in type.GetFields())
            {
                _md.GetFieldDefinition(f).DecodeSignature(_provider, null);
            }

            foreach (MethodDefinitionHandle m in type.GetMethods())
            {
                MethodDefinition method = _md.GetMethodDefinition(m);
                method.DecodeSignature(_provider, null);
                foreach (GenericParameterHandle g in method.GetGenericParameters())
                {
                    AddConstraints(g);
                }

                if (method.RelativeVirtualAddress != 0)
                {
                    ScanBody(_pe.GetMethodBody(method.RelativeVirtualAddress));
                }
            }

            yield return (handle, new HashSet<TypeDefinitionHandle>(_provider.Found));
        }
    }

    private void AddConstraints(GenericParameterHandle handle)
    {
        foreach (GenericParameterConstraintHandle c in _md.GetGenericParameter(handle).GetConstraints())
        {
            AddType(_md.GetGenericParameterConstraint(c).Type);
        }
    }

    private void AddType(EntityHandle handle)
    {
        if (handle.IsNil)
        {
            return;
        }

        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
                _provider.Found.Add((TypeDefinitionHandle)handle);
                break;
            case HandleKind.TypeSpecification:
                _md.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(_provider, null);
                break;
        }
    }

    private void AddMember(EntityHandle handle)
    {
        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
            case HandleKind.TypeSpecification:
                AddType(handle);
                break;
            case HandleKind.FieldDefinition:
                _provider.Found.Add(_md.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType());
                break;
            case HandleKind.MethodDefinition:
                _provider.Found.Add(_md.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType());
                break;
            case HandleKind.MemberReference:
                MemberReference member = _md.GetMemberReference((MemberReferenceHandle)handle);
                AddMember(member.Parent);
                if (member.GetKind() == MemberReferenceKind.Method)
                {
                    member.DecodeMethodSignature(_provider, null);
                }
                else
                {
                    member.DecodeFieldSignature(_provider, null);
                }

                break;
            case HandleKind.MethodSpecification:
                MethodSpecification spec = _md.GetMethodSpecification((MethodSpecificationHandle)handle);
                AddMember(spec.Method);
                spec.DecodeSignature(_provider, null);
                break;
        }
    }

    private void ScanBody(MethodBodyBlock body)
    {
        if (!body.LocalSignature.IsNil)
        {
            _md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(_provider, null);
        }

        WalkTokens(body, AddMember);
    }

    /// <summary>
    /// Every method of another assembly that a type's method bodies call or load (<c>Namespace.Type.Member</c>,
    /// constructors as <c>.ctor</c>), with the type doing it.
    /// </summary>
    public IEnumerable<(TypeDefinitionHandle Type, string Callee)> ExternalCalls()
    {
        foreach (TypeDefinitionHandle handle in _md.TypeDefinitions)
        {
            var callees = new List<string>();
            foreach (MethodDefinitionHandle m in _md.GetTypeDefinition(handle).GetMethods())
            {
                MethodDefinition method = _md.GetMethodDefinition(m);
                if (method.RelativeVirtualAddress == 0)
                {
                    continue;
                }

                WalkTokens(_pe.GetMethodBody(method.RelativeVirtualAddress), token =>
                {
                    if (ExternalName(token) is string name)
                    {
                        callees.Add(name);
                    }
                });
            }

            foreach (string callee in callees)
            {
                yield return (handle, callee);
            }
        }
    }

    private string? ExternalName(EntityHandle token)
    {
        if (token.Kind == HandleKind.MethodSpecification)
        {
            token = _md.GetMethodSpecification((MethodSpecificationHandle)token).Method;
        }

        if (token.Kind != HandleKind.MemberReference)
        {
            return null;
        }

        MemberReference member = _md.GetMemberReference((MemberReferenceHandle)token);
        if (member.Parent.Kind != HandleKind.TypeReference)
        {
            return null;
        }

        TypeReference type = _md.GetTypeReference((TypeReferenceHandle)member.Parent);
        return $"{_md.GetString(type.Namespace)}.{_md.GetString(type.Name)}.{_md.GetString(member.Name)}";
    }

    private static void WalkTokens(MethodBodyBlock body, Action<EntityHandle> onToken)
    {
        BlobReader il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            short code = il.ReadByte();
            if (code == 0xFE)
            {
                code = (short)(0xFE00 | il.ReadByte());
            }

            OperandType operand = s_operands[code];
            switch (operand)
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget:
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                case OperandType.InlineI8:
                case OperandType.InlineR:
                    il.Offset += 8;
                    break;
                case OperandType.InlineSwitch:
                    int count = il.ReadInt32();
                    il.Offset += 4 * count;
                    break;
                case OperandType.InlineField:
                case OperandType.InlineMethod:
                case OperandType.InlineTok:
                case OperandType.InlineType:
                    onToken(MetadataTokens.EntityHandle(il.ReadInt32()));
                    break;
                default:
                    il.Offset += 4;
                    break;
            }
        }
    }

    private static Dictionary<short, OperandType> BuildOperandTable()
    {
        var table = new Dictionary<short, OperandType>();
        foreach (System.Reflection.FieldInfo field in typeof(OpCodes).GetFields())
        {
            if (field.GetValue(null) is OpCode op)
            {
                table[op.Value] = op.OperandType;
            }
        }

        return table;
    }

    /// <summary>Decodes signatures only for their side effect: collecting the type definitions they name.</summary>
    private sealed class CollectingProvider : ISignatureTypeProvider<int, object?>
    {
        public HashSet<TypeDefinitionHandle> Found { get; } = [];

        public int GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            Found.Add(handle);
            return 0;
        }

        public int GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => 0;

        public int GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public int GetArrayType(int elementType, ArrayShape shape) => 0;

        public int GetByReferenceType(int elementType) => 0;

        public int GetFunctionPointerType(MethodSignature<int> signature) => 0;

        public int GetGenericInstantiation(int genericType, ImmutableArray<int> typeArguments) => 0;

        public int GetGenericMethodParameter(object? genericContext, int index) => 0;

        public int GetGenericTypeParameter(object? genericContext, int index) => 0;

        public int GetModifiedType(int modifier, int unmodifiedType, bool isRequired) => 0;

        public int GetPinnedType(int elementType) => 0;

        public int GetPointerType(int elementType) => 0;

        public int GetPrimitiveType(PrimitiveTypeCode typeCode) => 0;

        public int GetSZArrayType(int elementType) => 0;
    }
}
