import sys

from painxai_gui.cli import main

sys.exit(main())
