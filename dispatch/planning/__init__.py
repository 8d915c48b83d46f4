"""Planning: the jobs that snapshot the network, run allocation and routing, and save a plan.

This is the only code that translates between database rows and the optimizer's inputs and results.
"""
