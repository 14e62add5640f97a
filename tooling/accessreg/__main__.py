from accessreg.cli import main

main()
