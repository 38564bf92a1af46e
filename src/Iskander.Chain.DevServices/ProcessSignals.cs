using System.Runtime.InteropServices;

namespace Iskander.Chain.DevServices;

/// <summary>POSIX signals for child processes that must shut down gracefully (flush state) before a kill.</summary>
internal static class ProcessSignals
{
    private const int SigTerm = 15;
    private const int SigKill = 9;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>Asks the process to terminate; false where signals are unavailable or it is gone.</summary>
    public static bool TryTerminate(int pid) => OperatingSystem.IsLinux() && Kill(pid, SigTerm) == 0;

    /// <summary>Kills the process (SIGKILL); false where signals are unavailable or it is gone.</summary>
    public static bool TryKill(int pid) => OperatingSystem.IsLinux() && Kill(pid, SigKill) == 0;
}
