from zoomhost.cli import main

raise SystemExit(main())
