"""The architecture of issue 12, as tests (README "Architecture", .importlinter).

- the layer contract (.importlinter) holds;
- no import cycle between modules of bbt_workflow, function-local imports included;
- every import left inside a function says why, on its line or the line before.
"""
import ast
import configparser
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "bbt_workflow"


def test_the_layer_contract_holds():
    """domain imports nothing of the app; submissions (its pages aside) neither publishing nor
    royalties; api, admin and core on top. lint-imports prints which import breaks which contract."""
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports), "--config", str(ROOT / ".importlinter"), "--no-cache"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_domain_contract_lists_every_other_module():
    """The "domain is pure" contract forbids each sibling by name: a new module must be added there."""
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    forbidden = set(config["importlinter:contract:domain-is-pure"]["forbidden_modules"].split())
    siblings = {f"bbt_workflow.{p.stem if p.suffix == '.py' else p.name}" for p in PACKAGE.iterdir()
                if (p.suffix == ".py" and p.name != "__init__.py") or (p.is_dir() and (p / "__init__.py").exists())}
    siblings.discard("bbt_workflow.domain")
    assert siblings - forbidden == set(), "add these to .importlinter's domain-is-pure contract"


def _cycles(graph):
    """Strongly connected components of more than one module (or a module importing itself), by
    Tarjan's algorithm, iterative so a deep graph cannot overflow the stack."""
    index, low, on_stack, stack, components, counter = {}, {}, set(), [], [], [0]
    for start in sorted(graph.modules):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in graph.find_modules_directly_imported_by(node):
                        components.append(sorted(component))
    return components


def _describe(graph, component):
    members = set(component)
    lines = []
    for importer in component:
        for imported in sorted(graph.find_modules_directly_imported_by(importer) & members):
            details = graph.get_import_details(importer=importer, imported=imported)
            where = ", ".join(f"l.{d['line_number']}" for d in details)
            lines.append(f"    {importer} -> {imported} ({where})")
    return "\n".join(lines)


def test_no_import_cycle():
    """grimp reads every import statement, those inside functions too: a cycle hidden in a
    function is still a cycle."""
    graph = grimp.build_graph("bbt_workflow", cache_dir=None)
    cycles = _cycles(graph)
    report = "\n\n".join(f"cycle of {len(c)} modules:\n{_describe(graph, c)}" for c in cycles)
    assert not cycles, "import cycles in bbt_workflow:\n" + report


def _function_local_imports(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    yield inner


def test_every_function_local_import_says_why():
    """An import inside a function is allowed only with a comment on its line or the line before
    saying why it cannot sit at the top of the module."""
    silent = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        seen = set()
        for node in _function_local_imports(ast.parse(source)):
            if node.lineno in seen:
                continue
            seen.add(node.lineno)
            line = lines[node.lineno - 1]
            previous = lines[node.lineno - 2].strip() if node.lineno >= 2 else ""
            if "#" not in line and not previous.startswith("#"):
                silent.append(f"{path.relative_to(ROOT)}:{node.lineno}: {line.strip()}")
    assert not silent, "function-local imports without a comment saying why:\n" + "\n".join(silent)
