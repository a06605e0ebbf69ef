from backend_gate.cli import main

main()
