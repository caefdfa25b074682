//! Runs one bisection over a git repository with a test command.
