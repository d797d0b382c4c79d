from bbt_workflow import create_app

app = create_app()
