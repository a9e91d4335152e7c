//! The exported bytes decode back into the graph we meant: operators in order, attributes,
//! initializers shaped like the network's tensors, and typed input and output.

use super::*;
use crate::data::{Preprocessing, Scaler, ScalerKind};
use crate::{Loss, Matrix, Network, seeded_rng};

fn model() -> Model<f64> {
    let network = Network::builder(2)
        .dense(3, Activation::LeakyRelu { slope: 0.2 })
        .batch_norm()
        .dropout(0.5)
        .dense(3, Activation::Gelu)
        .dense(2, Activation::Softmax)
        .loss(Loss::CategoricalCrossEntropy)
        .build(&mut seeded_rng(1))
        .unwrap();
    let input_scaler = Scaler { kind: ScalerKind::Standard, offsets: vec![1.0, 2.0], scales: vec![3.0, 4.0] };
    Model::new(network, Preprocessing { input_scaler: Some(input_scaler), ..Default::default() })
}

fn decode(model: &Model<f64>) -> GraphProto {
    let decoded = ModelProto::decode(model.to_onnx().unwrap().as_slice()).unwrap();
    assert_eq!((decoded.ir_version, decoded.producer_name.as_str()), (7, "neurone"));
    assert_eq!(decoded.opset_import, [OperatorSetIdProto { domain: String::new(), version: 13 }]);
    decoded.graph.unwrap()
}

#[test]
fn the_graph_has_one_operator_chain_from_input_to_output() {
    let graph = decode(&model());
    let ops: Vec<&str> = graph.node.iter().map(|node| node.op_type.as_str()).collect();
    let gelu = ["Mul", "Mul", "Mul", "Add", "Mul", "Tanh", "Add", "Mul", "Mul"];
    let expected: Vec<&str> = ["Sub", "Div", "Gemm", "LeakyRelu", "BatchNormalization", "Gemm"]
        .into_iter()
        .chain(gelu)
        .chain(["Gemm", "Softmax"])
        .collect();
    assert_eq!(ops, expected);
    // Each node reads the previous node's output (or an initializer, or the graph input).
    let initializers: Vec<&str> = graph.initializer.iter().map(|tensor| tensor.name.as_str()).collect();
    let mut produced = vec!["input".to_string()];
    for node in &graph.node {
        for input in &node.input {
            assert!(produced.contains(input) || initializers.contains(&input.as_str()), "{} reads {input}", node.name);
        }
        produced.extend(node.output.iter().cloned());
    }
    assert_eq!(graph.node.last().unwrap().output, ["output"]);

    let gemm = &graph.node[2];
    assert_eq!(gemm.input, ["input_scaler.div", "layers.0.weight", "layers.0.bias"]);
    assert_eq!(gemm.attribute, [AttributeProto { name: "transB".into(), r#type: ATTRIBUTE_INT, f: 0.0, i: 1 }]);
    assert_eq!(graph.node[3].attribute[0].f, 0.2);
    let batch_norm = &graph.node[4];
    assert_eq!(
        batch_norm.input[1..],
        ["layers.1.weight", "layers.1.bias", "layers.1.running_mean", "layers.1.running_var"]
    );
    assert_eq!(batch_norm.attribute[0].f, 1e-5);
    assert_eq!(graph.node.last().unwrap().attribute[0].i, -1, "softmax over each row");
}

#[test]
fn initializers_hold_the_weights_out_by_in_and_the_io_is_typed() {
    let model = model();
    let graph = decode(&model);
    let weight = graph.initializer.iter().find(|tensor| tensor.name == "layers.0.weight").unwrap();
    assert_eq!((weight.dims.as_slice(), weight.data_type), (&[3, 2][..], DATA_TYPE_FLOAT));
    let dense = model.network.layers()[0].as_dense().unwrap();
    let expected: Vec<f32> = dense.weights().iter().map(|&w| w as f32).collect();
    assert_eq!(weight.float_data, expected);
    let offsets = graph.initializer.iter().find(|tensor| tensor.name == "input_scaler.offsets").unwrap();
    assert_eq!(offsets.float_data, [1.0, 2.0]);

    let shape = |info: &ValueInfoProto| {
        let tensor = info.r#type.as_ref().unwrap().tensor_type.as_ref().unwrap();
        assert_eq!(tensor.elem_type, DATA_TYPE_FLOAT);
        tensor.shape.as_ref().unwrap().dim.iter().map(|dim| dim.value.clone().unwrap()).collect::<Vec<_>>()
    };
    let batch = DimensionValue::DimParam("batch".into());
    assert_eq!((graph.input.len(), graph.input[0].name.as_str()), (1, "input"));
    assert_eq!(shape(&graph.input[0]), [batch.clone(), DimensionValue::DimValue(2)]);
    assert_eq!(shape(&graph.output[0]), [batch, DimensionValue::DimValue(2)]);
}

#[test]
fn target_scaling_is_undone_at_the_end_and_values_beyond_f32_are_refused() {
    let mut model = model();
    model.preprocessing.target_scaler =
        Some(Scaler::fit(ScalerKind::MinMax, &Matrix::from_rows(&[[0.0f64, 1.0], [10.0, 3.0]]).unwrap()).unwrap());
    let ops: Vec<String> = decode(&model).node.iter().rev().take(3).map(|node| node.op_type.clone()).collect();
    assert_eq!(ops, ["Add", "Mul", "Softmax"]);
    model.network.layers_mut()[0].as_dense_mut().unwrap().weights_mut()[1] = 1e300;
    let error = model.to_onnx().unwrap_err().to_string();
    assert_eq!(error, "invalid model: `layers.0.weight` holds 1e300, which is not a finite f32");
}
