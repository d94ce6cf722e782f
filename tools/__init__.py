"""Developer tools: document writers for the sample batch and the tests' fixtures."""
