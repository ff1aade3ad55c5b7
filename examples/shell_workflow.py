from headwater import flow
from headwater_shell import ShellOperation


@flow
def shell_workflow(filename: str = "data.txt"):
    """A workflow that executes shell commands using ShellOperation."""
    # Simple command execution
    echo_task = ShellOperation(commands=["echo 'Hello from Prefect!'"], stream_output=True)
    echo_result = echo_task()
    print(f"Echo output: {echo_result}")

    # Process file with external tool (e.g., count lines)
    wc_task = ShellOperation(commands=[f"wc -l {filename}"], stream_output=True)
    wc_result = wc_task()
    line_count = int(wc_result.split()[0])
    print(f"File {filename} has {line_count} lines")

    # Run multiple commands in sequence
    system_info_task = ShellOperation(commands=["date", "pwd", "ls -la"], stream_output=True)
    system_info = system_info_task()
    print("System information:")
    print(system_info)

    # Execute command with environment variables
    env_task = ShellOperation(
        commands=["echo $MY_VAR"], env={"MY_VAR": "Prefect is awesome!"}, stream_output=True
    )
    env_result = env_task()
    print(f"Environment variable: {env_result}")

    return {
        "echo_output": echo_result,
        "line_count": line_count,
        "system_info": system_info,
        "env_result": env_result,
    }


if __name__ == "__main__":
    # headwater: the tutorial runs this in a folder holding an `example.txt`; this one
    # counts the `example.txt` beside the script, so it runs from any folder.
    import os.path

    example_txt = os.path.relpath(os.path.join(os.path.dirname(__file__), "example.txt"))
    result = shell_workflow(example_txt)
