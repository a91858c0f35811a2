package io.loopflow.streams.site;

/**
 * The progress of one site and material last sent to its region (store
 * {@code loopflow-region-progress-sent}): the region and the frontier (see {@code Frontier}).
 */
public record ProgressSent(String region, long frontier) {
}
