from cpniguard.cli.main import app

app(prog_name="cpniguard")
