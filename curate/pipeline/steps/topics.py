"""The topic step: tags every document after extraction with a topic and a score, before language ID
and the filters, so that the audit can say whom each of them removes by topic. It removes nothing."""

from __future__ import annotations

from pathlib import Path

from curate.config import TopicsConfig
from curate.pipeline.steps import Removal
from curate.topics.clusters import UNCLUSTERED, TopicClusters
from curate.topics.model import TopicModel


class TopicStep:
    name = "topics"

    def __init__(self, config: TopicsConfig):
        # A model is loaded now, so that a wrong path fails before anything is written; clusters
        # are read at the first batch, since the run fits them after the workers' setup is built.
        self.predictor: TopicModel | TopicClusters | None = (
            TopicModel.load(config.model, option="topics.model") if config.model else None
        )
        self.clusters_file = config.clusters_file

    def _predictor(self) -> TopicModel | TopicClusters | None:
        if self.predictor is None and self.clusters_file and Path(self.clusters_file).is_file():
            self.predictor = TopicClusters.load(self.clusters_file)
        return self.predictor

    def apply(self, columns: dict[str, list]) -> list[Removal | None]:
        texts = columns["text"]
        predictor = self._predictor()
        # No clusters: the run's sample had no words to fit them on.
        found = predictor.predict(texts) if predictor else [(UNCLUSTERED, 0.0)] * len(texts)
        columns["topic"] = [topic for topic, _ in found]
        columns["topic_score"] = [score for _, score in found]
        return [None] * len(texts)
