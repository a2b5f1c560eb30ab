"""Scheduler: timed jobs in a process of their own (`flask --app wsgi scheduler run`), never in a
web worker. jobs.py holds the job functions (thin: they call services) and their registry;
lock.py the single-instance lock; runner.py the APScheduler set-up; cli.py the commands;
launch.py starts the web server and the scheduler together (`make run`)."""
