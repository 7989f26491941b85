import Foundation
import LintasCLI

// A reader that goes away (`lintas requests | head -1`) must not kill the process by SIGPIPE
// before it closes its database: SQLite checkpoints the WAL into the file and removes it when
// the last connection closes, and a WAL left behind keeps its size until the next process
// closes the file. With the signal ignored a write fails (and is dropped, `Output`) instead,
// and the command runs to its end. `LintasCLI.main` returns after every store it opened was
// released, on success and on error: each command's store is a local of its run.
signal(SIGPIPE, SIG_IGN)
exit(LintasCLI.main())
