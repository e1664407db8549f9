"""One trial: a point of the search space -> trained model -> hls4ml -> C simulation -> hardware
metrics, each labelled with its provenance. Heavy libraries are imported inside the functions that
need them, so importing this package stays cheap."""
