from headwater import flow, task
from headwater.tasks import task_input_hash
import time


@task(cache_key_fn=task_input_hash, cache_expiration_seconds=3600)
def extract_data(source: str):
    """Extract data - results are cached based on input."""
    print(f"Extracting from {source}...")
    time.sleep(2)  # Simulate expensive operation
    return [1, 2, 3, 4, 5]


@task(cache_key_fn=task_input_hash)
def transform_data(data, multiplier: int):
    """Transform data - cached based on data and multiplier."""
    print(f"Transforming with multiplier {multiplier}...")
    time.sleep(1)
    return [x * multiplier for x in data]


@task
def load_data(transformed_data):
    """Load the transformed data."""
    print(f"Loaded data: {transformed_data}")
    return len(transformed_data)


@flow
def data_pipeline(source: str = "database", multiplier: int = 2):
    """A pipeline with cached intermediate results."""
    data = extract_data(source)
    transformed = transform_data(data, multiplier)
    result = load_data(transformed)
    return result


if __name__ == "__main__":
    # First run - tasks execute
    result1 = data_pipeline("database", 2)

    # Second run with same inputs - uses cached results
    result2 = data_pipeline("database", 2)

    # Different inputs - tasks execute again
    result3 = data_pipeline("database", 3)
