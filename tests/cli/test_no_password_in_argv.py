"""Passwords never travel in argv, where `ps` shows them to every user of the host."""

import io

import pytest
from django.core.management import get_commands, load_command_class

from mailadmin.commands import Progress


@pytest.mark.parametrize("name", sorted(get_commands()))
def test_no_command_has_a_password_option(name):
    parser = load_command_class(get_commands()[name], name).create_parser("manage.py", name)
    options = {option for action in parser._actions for option in action.option_strings}
    assert not options & {"--password", "--passwd", "--pw", "--new-password"}, name


def test_the_progress_bar_is_drawn_only_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    drawn, silent = io.StringIO(), io.StringIO()
    for stdout, stream in ((Terminal(), drawn), (io.StringIO(), silent)):
        progress = Progress(stdout, 200, "Importing", stream=stream)
        for _ in range(200):
            progress.step()
        progress.close()
    assert drawn.getvalue().endswith("Importing [##############################] 200/200\n")
    assert silent.getvalue() == ""
