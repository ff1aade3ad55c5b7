"""The hooks a headwater plugin can implement.

Each hook takes no arguments and returns a list of *classes* (or, for the CLI,
click commands). The manager, not pluggy, checks what comes back: types, names
and conflicts, and reports a broken plugin by name instead of failing the run.

A plugin is a module with `@hookimpl` functions, named by an entry point in
the `headwater` group of its distribution:

    [project.entry-points.headwater]
    dask = "headwater_dask.plugin"

Keep the plugin module light: import SDKs (dask, boto3, ...) inside the classes
that need them, so `headwater plugins` stays fast and can report failures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click

    from headwater.task_runners.base import TaskRunner

PROJECT_NAME = "headwater"

_hookspec = pluggy.HookspecMarker(PROJECT_NAME)


class HeadwaterSpecs:
    """The hook specifications (a class so they can be registered at once)."""

    @_hookspec
    def headwater_task_runners(self) -> list[type[TaskRunner[Any]]]:
        """Task runner classes: where submitted task runs execute.

        Each must subclass `headwater.task_runners.base.TaskRunner` and set a
        unique `short_name`, which is how users pick it by name
        (`@flow(task_runner="inline")`).

        Example::

            from headwater.plugins import hookimpl
            from headwater.task_runners.thread import ThreadPoolTaskRunner

            class InlineTaskRunner(ThreadPoolTaskRunner):
                short_name = "inline"

            @hookimpl
            def headwater_task_runners():
                return [InlineTaskRunner]
        """
        return []

    @_hookspec
    def headwater_block_types(self) -> list[type[Any]]:
        """Block classes (`headwater.blocks.core.Block` subclasses).

        Each is keyed by its `get_block_type_slug()` ("s3-bucket"), which must
        be unique; `Block.load("s3-bucket/name")` finds the class that way.

        Example::

            from headwater.blocks.core import Block
            from headwater.plugins import hookimpl

            class Greeting(Block):
                text: str = "hello"

            @hookimpl
            def headwater_block_types():
                return [Greeting]
        """
        return []

    @_hookspec
    def headwater_operations(self) -> list[type[Any]]:
        """Operation classes (`headwater.blocks.abstract.Operation` subclasses).

        Operations are blocks that run a job (ShellOperation); they are keyed
        by block type slug and listed by `headwater plugins`.

        Example::

            from headwater.blocks.abstract import Operation
            from headwater.plugins import hookimpl

            class EchoOperation(Operation):
                text: str = ""

                def run(self):
                    return self.text

            @hookimpl
            def headwater_operations():
                return [EchoOperation]
        """
        return []

    @_hookspec
    def headwater_cli_commands(self) -> list[click.Command]:
        """Extra `headwater` CLI commands or groups (the server's `server`).

        Names must not clash with core's commands or another plugin's.

        Example::

            import click
            from headwater.plugins import hookimpl

            @click.command("hello")
            def hello():
                click.echo("hello from a plugin")

            @hookimpl
            def headwater_cli_commands():
                return [hello]
        """
        return []
