package io.loopflow.streams.view;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** The recent final key-figure records of one scope ({@code site}/{@code region}), id, material and window length, oldest first. */
public record KpiSeries(String scope, String id, String material, String window, List<JsonNode> finals) {
}
