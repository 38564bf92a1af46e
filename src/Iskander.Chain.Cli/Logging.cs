using Serilog;
using Serilog.Events;

namespace Iskander.Chain.Cli;

/// <summary>Structured console logging for long-running commands.</summary>
internal static class Logging
{
    public static ILogger CreateConsoleLogger(LogEventLevel minimum = LogEventLevel.Information) =>
        new LoggerConfiguration()
            .MinimumLevel.Is(minimum)
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss} {Level:u3} {Message:lj}{NewLine}{Exception}")
            .CreateLogger();
}
