# DocumentPipeline specs (pipelines/*.yaml): checked without any server, as a user's CI would.

.PHONY: pipelines-check
pipelines-check: build ## Compile every spec in PIPELINES (default pipelines/) and run its examples; exits 1 with the loader's messages
	@node packages/pipeline/dist/cli.js check $(or $(PIPELINES),pipelines)
