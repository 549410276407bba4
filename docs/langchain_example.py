"""The runnable example of docs/langchain.md."""

import asyncio
import tempfile
from pathlib import Path

from retrieval import EmbedderConfig, HybridRetriever, MedkgRetriever, PassageIndexer, PassageRecord

passages = [
    PassageRecord(citation_id="pmid:1#results", doc_id="pmid:1", pmid="1", source="pubmed",
                  url="https://pubmed.ncbi.nlm.nih.gov/1/",
                  text="Metformin lowered HbA1c in adults with type 2 diabetes compared with placebo."),
    PassageRecord(citation_id="pmid:2#results", doc_id="pmid:2", pmid="2", source="pubmed",
                  text="Inhaled corticosteroids reduced asthma exacerbations in children."),
    PassageRecord(citation_id="bioasq:3#1", doc_id="bioasq:3", source="bioasq",
                  text="Aspirin irreversibly inhibits cyclooxygenase and platelet aggregation."),
]

with tempfile.TemporaryDirectory() as tmp:
    indexer = PassageIndexer(Path(tmp), EmbedderConfig())
    indexer.upsert(passages)
    retriever = MedkgRetriever(retriever=HybridRetriever(indexer), k=2)

    for doc in retriever.invoke("Does metformin help in type 2 diabetes?"):
        print(doc.metadata["citation_id"], doc.metadata["scores"], doc.page_content[:60])

    docs = asyncio.run(retriever.ainvoke("asthma in children", k=1))
    print([d.metadata["citation_id"] for d in docs])  # ['pmid:2#results']
    indexer.close()
