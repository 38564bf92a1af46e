namespace Iskander.Chain.Ethereum.Abi;

/// <summary>A decoded event: its description and argument values by position and name.</summary>
/// <param name="Event">The event.</param>
/// <param name="Arguments">Values in declaration order; an indexed dynamic value is its <see cref="Hash32"/>.</param>
public sealed record DecodedEvent(AbiEvent Event, IReadOnlyList<object?> Arguments)
{
    /// <summary>The value of the argument called <paramref name="name"/>.</summary>
    public object? this[string name]
    {
        get
        {
            for (var i = 0; i < Event.Inputs.Count; i++)
            {
                if (Event.Inputs[i].Name == name) return Arguments[i];
            }

            throw new KeyNotFoundException($"{Event.Signature} has no parameter '{name}'");
        }
    }
}

/// <summary>
/// An event: topic 0 (unless anonymous), indexed parameters as topics (dynamic ones only as their
/// keccak256 hash, which cannot be reversed), the rest ABI-encoded in the data.
/// </summary>
public sealed class AbiEvent : AbiMember
{
    private readonly List<AbiType> _dataTypes;

    /// <summary>Creates an event description.</summary>
    public AbiEvent(string name, IReadOnlyList<AbiParameter> inputs, bool anonymous = false)
        : base(name, inputs)
    {
        Anonymous = anonymous;
        _dataTypes = inputs.Where(p => !p.Indexed).Select(p => p.Type).ToList();
        TopicCount = (anonymous ? 0 : 1) + inputs.Count(p => p.Indexed);
        if (TopicCount > 4) throw new AbiException($"{Signature} has more than 4 topics");
    }

    /// <summary>Whether topic 0 is omitted.</summary>
    public bool Anonymous { get; }

    /// <summary>Number of topics a matching log carries.</summary>
    public int TopicCount { get; }

    /// <summary>Topic 0, the event's identity (unless anonymous).</summary>
    public Hash32 Topic0 => SignatureHash;

    /// <summary>Whether a log with these topics can be this event (topic 0 and the topic count both match).</summary>
    public bool Matches(IReadOnlyList<Hash32> topics) =>
        topics.Count == TopicCount && (Anonymous || topics[0] == Topic0);

    /// <summary>Decodes a log.</summary>
    /// <exception cref="AbiException">Topic 0 or the topic count does not match, or the data is malformed.</exception>
    public DecodedEvent Decode(IReadOnlyList<Hash32> topics, ReadOnlySpan<byte> data)
    {
        if (topics.Count != TopicCount)
        {
            throw new AbiException($"{Signature} has {TopicCount} topics; the log has {topics.Count} (another event with the same signature?)");
        }

        if (!Anonymous && topics[0] != Topic0) throw new AbiException($"log topic 0 {topics[0]} is not {Signature}");
        var dataValues = AbiCodec.Decode(_dataTypes, data);
        var arguments = new object?[Inputs.Count];
        var topic = Anonymous ? 0 : 1;
        var dataIndex = 0;
        for (var i = 0; i < Inputs.Count; i++)
        {
            var parameter = Inputs[i];
            if (!parameter.Indexed)
            {
                arguments[i] = dataValues[dataIndex++];
                continue;
            }

            var word = topics[topic++];
            arguments[i] = parameter.Type.IsDynamic || parameter.Type is AbiTuple or AbiFixedArray
                ? word
                : AbiCodec.Decode([parameter.Type], word.Bytes)[0];
        }

        return new DecodedEvent(this, arguments);
    }
}
