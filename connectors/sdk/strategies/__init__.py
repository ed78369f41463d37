"""Paging strategies: one small module per way an upstream hands out the next page."""
