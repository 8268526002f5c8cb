"""Human oversight: the project store, the decisions service and the review web app."""
