"""Every `--help` teaches: what the command does, examples, and every default stated."""

from __future__ import annotations

import argparse

import pytest

from bayesnet.cli import build_parser, main


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return dict(action.choices)


SUBCOMMANDS = sorted(_subparsers())


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_help_has_a_description_examples_and_its_defaults(name, capsys):
    with pytest.raises(SystemExit) as done:
        main([name, "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    sub = _subparsers()[name]
    assert sub.description and len(sub.description) > 40, name
    assert "Examples:" in text and f"bayesnet {name}" in text.split("Examples:", 1)[1], name
    for action in sub._actions:
        if not action.option_strings or action.help == argparse.SUPPRESS or action.dest == "help":
            continue
        if action.required or isinstance(action, argparse._StoreTrueAction):
            continue
        assert "default" in (action.help or ""), f"{name} {action.option_strings[0]} does not state its default"


def test_the_top_help_names_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    for name in SUBCOMMANDS:
        assert name in text
    assert "a -| b               a lowers it (inhibits)" in text and "model: ..." in text


def test_the_help_of_commands_that_print_links_says_how_they_are_written(capsys):
    for name in ("summary", "edges", "sensitivity", "update"):
        with pytest.raises(SystemExit):
            main([name, "--help"])
        assert "a -> b [when m=s]    only while the moderator m is in state s" in capsys.readouterr().out, name
