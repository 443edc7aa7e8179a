from protocols.cli import main

raise SystemExit(main())
