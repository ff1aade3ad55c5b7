from headwater import flow, task
from headwater.tasks import task_input_hash
import time


@task(timeout_seconds=5)
def extract_data():
    """Extract data from a source."""
    time.sleep(2)  # Simulate work
    return [1, 2, 3, 4, 5]


@task(timeout_seconds=10)
def transform_data(data):
    """Transform the data."""
    time.sleep(1)  # Simulate work
    return [x * 2 for x in data]


@task(timeout_seconds=5)
def load_data(transformed_data):
    """Load the transformed data."""
    time.sleep(1)  # Simulate work
    print(f"Loaded data: {transformed_data}")
    return len(transformed_data)


# headwater: not in the tutorial. A task that runs past its timeout, to show what
# the timeout does: the task is stopped after 1 second and ends in a TimedOut state.
@task(timeout_seconds=1)
def archive_data(transformed_data):
    """Archive the data (the archive never answers)."""
    time.sleep(10)  # Simulate a call that hangs


@flow
def data_pipeline():
    """A pipeline with timeout protection."""
    data = extract_data()
    transformed = transform_data(data)
    result = load_data(transformed)
    # headwater: return_state=True hands back the TimedOut state instead of raising,
    # so the pipeline still completes
    archived = archive_data(transformed, return_state=True)
    print(f"Archive: {archived}")
    return result


if __name__ == "__main__":
    result = data_pipeline()
