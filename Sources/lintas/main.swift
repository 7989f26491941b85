import Foundation
import LintasCLI

exit(LintasCLI.main())
