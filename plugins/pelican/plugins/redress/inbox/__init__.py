"""The review inbox: receives the review forms, keeps everything, publishes files.

A static site cannot receive a form, so this small service does: it takes
the forms' posts (with and without JavaScript), checks them with the same
model code as the build, stores every submission raw and normalised in
SQLite (or PostgreSQL, shared by several instances of the service), and
`redress inbox publish` turns accepted ones into the review and follow-up
files the build reads. Nothing here deletes, and nothing looks at
the rating except to store it.
"""
