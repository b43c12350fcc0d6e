import sys

from cxdata.cli import main

sys.exit(main())
