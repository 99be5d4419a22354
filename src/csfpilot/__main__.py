from csfpilot.cli.main import app

app(prog_name="csfpilot")
