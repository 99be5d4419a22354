from csfpilot.cli.entry import main

main(prog_name="csfpilot")
