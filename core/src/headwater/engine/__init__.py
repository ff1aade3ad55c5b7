"""One run's lifecycle: a task run (task_call), a flow run (flow_call) and the steps they share."""
