"""The daily mix for the load test (issue 15), through the JSON API (bearer tokens; the same services
as the pages): contributors create and submit, editors work the queue (claim, forward with a
grading) and search, approvers approve, an accountant computes and exports a sheet.

Run by bench/load_test.py (which starts gunicorn, the workers and a receiver), or by hand:
    .venv/bin/locust -f bench/locustfile.py --headless -u 50 -r 10 -t 60s --host http://127.0.0.1:8000
Users of bench/generate.py (password "Matkhau-2026"): ctvNNNN, bt.<site>.<n>, pd.<site>.<n>, kt.<site>.1.
"""
import itertools
import json
import os
import random
from datetime import date
from pathlib import Path

from locust import HttpUser, between, task

PASSWORD = "Matkhau-2026"
SITES = os.environ.get("BENCH_SITES", "tinh").split(",")  # bench/load_test.py reads them from the database
WORDS = ["kinh te", "giao duc", "nong thon", "du lich", "y te", "van hoa", "giao thong", "dau tu"]
_counter = itertools.count(1)
# {"contributor": {username: token}, ...}: issued by bench/load_test.py before the run
TOKENS = json.loads(Path(os.environ["BENCH_TOKENS"]).read_text()) if os.environ.get("BENCH_TOKENS") else {}


class ApiUser(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)

    def login_as(self, role, username):
        """A pre-issued token for one of the role's users (any of them), else a password login."""
        if TOKENS.get(role):
            username, token = random.choice(list(TOKENS[role].items()))
            self.client.headers["Authorization"] = f"Bearer {token}"
            self.after_login()
        else:
            self.login(username)

    def after_login(self):
        me = self.client.get("/api/v1/me", name="GET /me").json()
        self.me = me
        self.sites = {m["site"]: m["roles"] for m in me["memberships"]}

    def login(self, username):
        r = self.client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD},
                             name="POST /tokens")
        r.raise_for_status()
        self.client.headers["Authorization"] = f"Bearer {r.json()['token']}"
        self.after_login()

    def site_with(self, role):
        return random.choice([s for s, roles in self.sites.items() if role in roles])

    def grading(self, sub):
        return {"parts": [{"genre": "tin_anh", "coefficient": "1.5", "factors": [],
                           "payees": [{"username": self.author_username(sub), "share": "100"}]}]}

    def author_username(self, sub):
        return self.author_names.get(sub["author"]["id"], self.me["username"])

    def queue(self, site, state):
        r = self.client.get("/api/v1/submissions", params={"site": site, "state": state, "per_page": 20},
                            name=f"GET /submissions?state={state}")
        return r.json().get("items", []) if r.ok else []

    def act(self, sub, action, **body):
        with self.client.post(f"/api/v1/submissions/{sub['id']}/transitions",
                              json={"action": action, "version": sub["version"], **body},
                              name=f"POST transition {action}", catch_response=True) as r:
            if r.status_code == 409:
                r.success()  # someone else took it first: a normal race in a shared queue, not an error
            return r


class Contributor(ApiUser):
    weight = 25

    def on_start(self):
        self.login_as("contributor", f"ctv{random.randint(1, 1500):04d}")
        self.categories = {}

    @task
    def create_and_submit(self):
        site = self.site_with("contributor")
        if site not in self.categories:
            cats = self.client.get(f"/api/v1/sites/{site}/categories", name="GET /sites/{site}/categories").json()
            cats = cats.get("items", []) if isinstance(cats, dict) else cats  # a list page or a plain list
            self.categories[site] = [c["code"] for c in cats if c.get("active", True)]
        n = next(_counter)
        r = self.client.post("/api/v1/submissions", name="POST /submissions", json={
            "site": site, "category": random.choice(self.categories[site]), "content_type": "tin",
            "title": f"Tin tải thử {n}: {random.choice(WORDS)}", "summary": "Tóm tắt tin tải thử",
            "body_html": "<p>" + "Nội dung bài viết thử tải, có dấu tiếng Việt. " * 40 + "</p>"})
        if r.status_code == 201:
            self.act(r.json(), "submit")


class Editor(ApiUser):
    weight = 12

    def on_start(self):
        self.login_as("editor", f"bt.{random.choice(SITES)}.{random.randint(1, 4)}")
        self.site = self.site_with("editor")
        self.author_names = {}

    @task(3)
    def work_the_queue(self):
        items = self.queue(self.site, "submitted")
        if not items:
            return
        sub = random.choice(items)
        r = self.act(sub, "claim")
        if r.status_code == 200:
            sub = r.json()
            self.act(sub, "forward" if "forward" in sub["allowed_actions"] else "approve",
                     grading=self.grading(sub))

    @task(2)
    def search(self):
        self.client.get("/api/v1/submissions", params={"site": self.site, "q": random.choice(WORDS)},
                        name="GET /submissions?q= (search)")

    def author_username(self, sub):
        return self.me["username"]  # the editor is always a member and has a payee record


class Approver(ApiUser):
    weight = 8

    def on_start(self):
        self.login_as("approver", f"pd.{random.choice(SITES)}.{random.randint(1, 2)}")
        self.site = self.site_with("approver")

    @task
    def approve(self):
        items = self.queue(self.site, "pending_approval")
        if items:
            sub = random.choice(items)
            self.act(sub, "approve", grading={"parts": [{"genre": "tin_anh", "coefficient": "1.5", "factors": [],
                                                         "payees": [{"username": self.me["username"], "share": "100"}]}]})


class Accountant(ApiUser):
    weight = 1
    fixed_count = 1
    wait_time = between(5, 10)

    def on_start(self):
        self.login_as("accountant", f"kt.{random.choice(SITES[1:])}.1")
        self.site = self.site_with("accountant")

    @task
    def compute_and_export(self):
        sheets = self.client.get("/api/v1/royalty/sheets", params={"site": self.site},
                                 name="GET /royalty/sheets").json().get("items", [])
        drafts = [s for s in sheets if s["state"] == "draft"]
        if drafts:
            sheet = drafts[0]
            self.client.post(f"/api/v1/royalty/sheets/{sheet['id']}/transitions", name="POST sheet recompute",
                             json={"action": "recompute", "version": sheet["version"]})
        elif sheets:
            sheet = sheets[0]
        else:
            period = date.today().strftime("%Y-%m")
            sheet = self.client.post("/api/v1/royalty/sheets", json={"site": self.site, "period": period},
                                     name="POST /royalty/sheets").json()
        self.client.get(f"/api/v1/royalty/sheets/{sheet['id']}/export.csv", name="GET sheet export.csv")
