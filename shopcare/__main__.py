from shopcare.cli import main

raise SystemExit(main())
