namespace Banyan.Grains.TopN;

/// <summary>
/// Small integer ids for TopN entities (their list bytes, <see cref="TopNListReader.Entity"/>), dense from 0 in the order
/// they were first interned: the lists kept by <see cref="TopNListCache"/> carry their entities as these ids
/// (<see cref="TopNInternedList"/>), so a query's merge of hundreds of lists looks up integers instead of hashing and
/// comparing entity bytes, and walks arrays instead of the lists' encoding (docs/benchmarks.md, "TopN lists kept as
/// entity ids").
/// </summary>
/// <remarks>
/// Thread-safe: interning and reading an id's bytes take a lock, which a query takes only for the entities it answers
/// and for lists not kept interned. Grows with the distinct entities interned; its owner replaces it to bound it
/// (<see cref="TopNListCache"/> starts a new table whenever it empties), and an id means something only in its table.
/// </remarks>
internal sealed class TopNEntityTable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<byte[], int> _ids = new(TopNEntityBytesComparer.Instance);
    private readonly Dictionary<byte[], int>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    private readonly List<byte[]> _entities = [];
    private long _bytes;

    /// <summary>An empty table.</summary>
    public TopNEntityTable() => _lookup = _ids.GetAlternateLookup<ReadOnlySpan<byte>>();

    /// <summary>Distinct entities interned.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entities.Count;
            }
        }
    }

    /// <summary>The entities' bytes held (their arrays, without the table's own overhead).</summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    /// <summary>The id of <paramref name="entity"/>, given it now if it has none.</summary>
    public int Intern(ReadOnlySpan<byte> entity)
    {
        lock (_gate)
        {
            if (_lookup.TryGetValue(entity, out int id))
            {
                return id;
            }

            byte[] bytes = entity.ToArray();
            id = _entities.Count;
            _entities.Add(bytes);
            _ids.Add(bytes, id);
            _bytes += bytes.Length;
            return id;
        }
    }

    /// <summary>The bytes of the entity with <paramref name="id"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> was not given by this table.</exception>
    public byte[] EntityOf(int id)
    {
        lock (_gate)
        {
            if ((uint)id >= (uint)_entities.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(id), id, $"entity id {id} was not given by this table ({_entities.Count} entities); this is a bug");
            }

            return _entities[id];
        }
    }
}
