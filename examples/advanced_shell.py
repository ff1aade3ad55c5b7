from headwater import flow
from headwater_shell import ShellOperation


@flow
def advanced_shell_workflow():
    """Advanced shell operations with custom working directory."""
    # Run command in specific directory
    build_task = ShellOperation(
        commands=["make build"],
        working_dir="/path/to/project",
        stream_output=True,
        return_all=True,  # Return both stdout and stderr
    )
    build_result = build_task()

    # Chain multiple commands with error handling
    pipeline_task = ShellOperation(
        commands=["python process_data.py", "python validate.py", "python upload.py"],
        stream_output=True,
        continue_on_error=False,  # Stop on first error
    )
    pipeline_result = pipeline_task()

    return {"build": build_result, "pipeline": pipeline_result}


if __name__ == "__main__":
    result = advanced_shell_workflow()
