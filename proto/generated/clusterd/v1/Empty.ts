// Original file: proto/cluster.proto


export interface Empty {
}

export interface Empty__Output {
}
