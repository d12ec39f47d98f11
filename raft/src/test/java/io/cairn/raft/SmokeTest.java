package io.cairn.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void threeNodesElectAndCommit() {
        InteractionEnv env = new InteractionEnv();
        InteractionEnv.NodeOptions o = new InteractionEnv.NodeOptions();
        o.confState = ConfState.ofVoters(1, 2, 3);
        env.addNodes(3, o);
        env.node(1).rawNode.campaign();
        env.stabilize();
        env.node(1).rawNode.propose(InteractionEnv.bytes("a"));
        env.node(2).rawNode.propose(InteractionEnv.bytes("b"));
        env.stabilize();
        System.out.println(env.takeOutput());
        for (long id = 1; id <= 3; id++) {
            List<Entry> applied = env.node(id).applied;
            assertEquals(3, applied.size(), "node " + id + " applied " + applied);
        }
    }
}
