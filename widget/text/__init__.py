"""Text (portable): Markdown -> a tree of safe values, the link policy, citations.

markdown   Markdown -> ``Node`` tree, incrementally while an answer streams
links      which URLs from model output may become a link, and where they go
citations  annotations -> numbered markers and one Sources list
"""
