"""The provincial server: receives batches, validates them with the questionnaire, stores them."""
