"""``examples/cdk_chat_function.py``, as infra/README.md shows it: a stack of your own whose function gets both
connect_chat layers from what the connect-chat stack exports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aws_cdk import App

from tests.infra.conftest import Synthesized
from tests.support.examples import load_example


def synthesize_example(outdir: Path, **options: str) -> dict[str, Any]:
    """The template of ``ChatFunctionStack`` with a one-file handler, synthesized into ``outdir``."""
    code = outdir / "bot"
    code.mkdir(parents=True)
    (code / "bot.py").write_text("import connect_chat\n\n\ndef handler(event, context):\n    return None\n")
    app = App(outdir=str(outdir / "cdk.out"))
    load_example("cdk_chat_function").ChatFunctionStack(
        app, "MyChatBot", code=str(code), handler="bot.handler", **options
    )
    app.synth()
    template: dict[str, Any] = json.loads((outdir / "cdk.out" / "MyChatBot.template.json").read_text())
    return template


def function_of(template: dict[str, Any]) -> dict[str, Any]:
    """The properties of the template's one function."""
    resources = template["Resources"].values()
    (function,) = [resource for resource in resources if resource["Type"] == "AWS::Lambda::Function"]
    properties: dict[str, Any] = function["Properties"]
    return properties


def test_the_function_gets_both_layers_the_connect_chat_stack_exports(synthesized: Synthesized, tmp_path: Path) -> None:
    function = function_of(synthesize_example(tmp_path))
    exports = {
        output["Export"]["Name"]: output["Value"]
        for output in synthesized.template["Outputs"].values()
        if "Export" in output
    }
    library, library_layer = synthesized.layer("LayersLibrary")
    dependencies, _layer = synthesized.layer("LayersDependencies")

    assert function["Layers"] == [
        {"Fn::ImportValue": "ConnectChat-LayerArn"},
        {"Fn::ImportValue": "ConnectChat-DependenciesLayerArn"},
    ]
    assert exports["ConnectChat-LayerArn"] == {"Ref": library}
    assert exports["ConnectChat-DependenciesLayerArn"] == {"Ref": dependencies}
    assert [function["Runtime"]] == library_layer["Properties"]["CompatibleRuntimes"]
    assert function["Architectures"] == library_layer["Properties"]["CompatibleArchitectures"]
    assert function["Handler"] == "bot.handler"


def test_another_connect_chat_stack_name_names_its_exports(tmp_path: Path) -> None:
    function = function_of(synthesize_example(tmp_path, connect_chat_stack="ChatProd"))
    assert function["Layers"] == [
        {"Fn::ImportValue": "ChatProd-LayerArn"},
        {"Fn::ImportValue": "ChatProd-DependenciesLayerArn"},
    ]
