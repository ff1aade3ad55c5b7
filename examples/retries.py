from headwater import flow, task
import random


@task(retries=3, retry_delay_seconds=2)
def extract_data():
    """Extract data with potential failures."""
    if random.random() < 0.3:  # 30% chance of failure
        raise Exception("Extraction failed!")
    return [1, 2, 3, 4, 5]


@task(retries=2, retry_delay_seconds=1)
def transform_data(data):
    """Transform the data."""
    return [x * 2 for x in data]


@task(retries=2)
def load_data(transformed_data):
    """Load the transformed data."""
    print(f"Loaded data: {transformed_data}")
    return len(transformed_data)


@flow
def data_pipeline():
    """A resilient pipeline with retry logic."""
    data = extract_data()
    transformed = transform_data(data)
    result = load_data(transformed)
    return result


if __name__ == "__main__":
    result = data_pipeline()
