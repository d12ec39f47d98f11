/** The stable client API of Cairn: the same interface embedded and remote. */
module io.cairn.api {
    exports io.cairn.api;
}
