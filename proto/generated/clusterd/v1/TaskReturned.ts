// Original file: proto/cluster.proto


export interface TaskReturned {
}

export interface TaskReturned__Output {
}
