"""Links and answers: what each session owes (derived status), the trainer's evaluation, anonymous
participant answers through one-time links, and the check of raw answers shared by form and import."""
