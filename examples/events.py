from headwater import flow, task
from headwater.events import emit_event
import random


@task
def extract_data():
    """Extract data and emit an event."""
    data = [1, 2, 3, 4, 5]
    emit_event(
        event="data.extracted",
        resource={"prefect.resource.id": "extract-task"},
        payload={"count": len(data)},
    )
    return data


@task
def transform_data(data):
    """Transform data and emit events."""
    transformed = [x * 2 for x in data]

    # Emit event on success
    emit_event(
        event="data.transformed",
        resource={"prefect.resource.id": "transform-task"},
        payload={"count": len(transformed)},
    )
    return transformed


@task
def load_data(transformed_data):
    """Load data and emit completion event."""
    print(f"Loaded data: {transformed_data}")
    emit_event(
        event="data.loaded",
        resource={"prefect.resource.id": "load-task"},
        payload={"count": len(transformed_data)},
    )
    return len(transformed_data)


@flow
def data_pipeline():
    """A pipeline with event-driven capabilities."""
    try:
        data = extract_data()
        transformed = transform_data(data)
        result = load_data(transformed)

        # Emit workflow completion event
        emit_event(
            event="pipeline.completed",
            resource={"prefect.resource.id": "data-pipeline"},
            payload={"items_processed": result},
        )
        return result
    except Exception as e:
        # Emit failure event
        emit_event(
            event="pipeline.failed",
            resource={"prefect.resource.id": "data-pipeline"},
            payload={"error": str(e)},
        )
        raise


if __name__ == "__main__":
    result = data_pipeline()
    print(f"Pipeline completed. Processed {result} items.")
