"""Start the PainXAI desktop app (same as the `painxai-gui` command)."""

import sys

from painxai_gui.gui.app import main

if __name__ == "__main__":
    sys.exit(main())
